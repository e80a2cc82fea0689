// gradscope/worker/host: import it (for its effect) in a worker script of your own and
// pass that worker as createNetwork's options.worker of gradscope/worker.
export {};
