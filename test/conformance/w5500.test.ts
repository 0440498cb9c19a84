/**
 * The conformance suite on the W5500: the model on the virtual network (scripted peers, virtual
 * time) and on the host network (the kernel's TCP as peer, real time).
 */
import { conformanceSuite } from './suite';
import { w5500HostRig, w5500VirtualRig } from '../../sim/conformance/w5500-rig';

conformanceSuite('conformance: W5500, virtual network', w5500VirtualRig);
conformanceSuite('conformance: W5500, host network (kernel peers)', w5500HostRig);
