// gradscope/worker/host for resolvers that do not read package.json "exports".
import '../js/worker/host.js';
