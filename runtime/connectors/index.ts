// Connectors shipped with the runtime.
export { fileSource, type FileSourceOptions, type FileFormat } from './file-source.ts';
export { fileSink, type FileSinkOptions } from './file-sink.ts';
export { printSink } from '../api/print-sink.ts';
export { blackholeSink } from './blackhole-sink.ts';
export { collectSink } from './collect-sink.ts';
export { nexmarkSource, type NexmarkSourceOptions } from './nexmark-source.ts';
