// Node built-ins, imported only when running in Node; the comments hide the specifier
// from bundlers building for browsers.
export const importNode = (specifier) => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
