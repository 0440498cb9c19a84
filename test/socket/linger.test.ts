import assert from 'node:assert/strict';
import { CloseAction, closeAction } from '../../firmware/socket/linger';

// docs/socket-semantics.md §4, row by row
describe('linger policy (closesocket table)', () => {
  it('SO_DONTLINGER (l_onoff 0) closes gracefully in the background, blocking or not, whatever l_linger holds', () => {
    assert.equal(closeAction(false, 0, false, true), CloseAction.Background);
    assert.equal(closeAction(false, 0, true, true), CloseAction.Background);
    assert.equal(closeAction(false, 30, true, true), CloseAction.Background);
  });
  it('SO_LINGER with l_linger 0 is abortive at once, blocking or not', () => {
    assert.equal(closeAction(true, 0, false, true), CloseAction.Abort);
    assert.equal(closeAction(true, 0, true, true), CloseAction.Abort);
  });
  it('SO_LINGER n > 0 on a blocking socket lingers', () => {
    assert.equal(closeAction(true, 1, false, true), CloseAction.Linger);
    assert.equal(closeAction(true, 65535, false, true), CloseAction.Linger);
  });
  it('SO_LINGER n > 0 on a non-blocking socket with a live connection starts nothing: WSAEWOULDBLOCK', () => {
    assert.equal(closeAction(true, 5, true, true), CloseAction.WouldBlock);
  });
  it('with no live connection every option frees at once (so non-blocking linger n never blocks then)', () => {
    assert.equal(closeAction(true, 5, true, false), CloseAction.FreeNow);
    assert.equal(closeAction(true, 0, false, false), CloseAction.FreeNow);
    assert.equal(closeAction(false, 0, false, false), CloseAction.FreeNow);
    assert.equal(closeAction(true, 5, false, false), CloseAction.FreeNow);
  });
});
