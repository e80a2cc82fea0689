// gradscope/worker for resolvers that do not read package.json "exports" (Parcel by
// default, TypeScript's node10 resolution): the entry lives in js/worker/.
export * from '../js/worker/index.js';
