/** A TCP port free on loopback right now (for engines that cannot be told to pick one themselves): the benches' own. */
export { freePort } from '../../bench/peers/processes';
