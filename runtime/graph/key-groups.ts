// Moved to runtime/keys/key-groups.ts (a leaf module: operators, state and the graph all use it
// without a cycle). Kept only for importers not yet updated; new code imports runtime/keys/.
export * from '../keys/key-groups.ts';
