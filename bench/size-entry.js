// What a page needs to create and train a network (for the download-size figure).
export { createNetwork, loadNetwork } from '../js/network.js';
