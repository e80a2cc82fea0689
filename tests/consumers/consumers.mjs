// The consumer matrix: each bundler (exact versions, installed into a cache folder
// outside the repository), how the app is built with it, and whether it runs a
// dev server too. A README recipe (`<!-- consumer:NAME -->` + fenced block) is
// the complete config file written into the app (for 'package.json': keys merged
// into the app's package.json); no recipe means zero config.
// worker: how the app uses gradscope/worker ('auto': it starts its own worker,
// which the bundler must bundle; 'own': the app's worker importing its host).
export const CONSUMERS = [
  { name: 'vite6', deps: { vite: '6.4.6' }, build: ['vite', 'build'], dev: ['vite', '--host', '127.0.0.1', '--strictPort', '--port'] },
  { name: 'vite7', deps: { vite: '7.3.8' }, build: ['vite', 'build'], dev: ['vite', '--host', '127.0.0.1', '--strictPort', '--port'] },
  { name: 'vite8', deps: { vite: '8.3.8' }, build: ['vite', 'build'], dev: ['vite', '--host', '127.0.0.1', '--strictPort', '--port'] },
  { name: 'webpack', deps: { webpack: '5.113.0', 'webpack-cli': '7.3.1' }, build: ['webpack', '--config', 'webpack.config.mjs'], recipe: 'webpack.config.mjs' },
  { name: 'esbuild', deps: { esbuild: '0.28.2' }, build: ['sh', 'build.sh'], recipe: 'build.sh', worker: 'own' },
  { name: 'rollup', deps: { rollup: '4.68.8', '@rollup/plugin-node-resolve': '16.0.3' }, build: ['rollup', '-c', 'rollup.config.mjs'], recipe: 'rollup.config.mjs', worker: 'own' },
  { name: 'parcel', deps: { parcel: '2.16.4' }, build: ['parcel', 'build', 'index.html', '--dist-dir', 'dist', '--no-source-maps', '--public-url', './'], recipe: 'package.json' },
];
