/** RFC 9293 §3.10.7.4, first check: the four cases of segment acceptability. */
import { seqDiff } from './seq';

export function acceptable(seq: number, segLen: number, rcvNxt: number, rcvWnd: number): boolean {
  const d = seqDiff(seq, rcvNxt);
  if (segLen === 0) {
    if (rcvWnd === 0) return d === 0;
    return d >= 0 && d < rcvWnd;
  }
  if (rcvWnd === 0) return false;
  if (d >= 0 && d < rcvWnd) return true;
  const e = d + segLen - 1;
  return e >= 0 && e < rcvWnd;
}
