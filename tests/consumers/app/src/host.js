// A worker of the app's own for gradscope/worker (the path for bundlers that do not
// bundle a worker found in a dependency): it only imports the host.
import 'gradscope/worker/host';
