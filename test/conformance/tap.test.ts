/**
 * The conformance suite, unchanged, on the software transport through TAP with kernel peers in a namespace the
 * rig creates (and removes): the ENC28J60 model + driver, and the W5500 model in MACRAW + the MACRAW driver.
 * Real time. With CI=true a rig that cannot be built fails the tests; elsewhere they skip loudly.
 */
import { conformanceSuite } from './suite';
import { enc28j60TapRig, w5500MacrawTapRig } from '../../sim/conformance/tap-rig';

conformanceSuite('conformance: ENC28J60 + software transport, TAP (kernel peers in a namespace)', enc28j60TapRig);
conformanceSuite('conformance: W5500 MACRAW + software transport, TAP (kernel peers in a namespace)', w5500MacrawTapRig);
