// `npm run image:build [-- --import auto|always|never] [--tag <ref>]`: builds the project image
// locally (see build-image.ts). Progress on stderr; the image reference on stdout.
import { parseArgs } from 'node:util';
import { buildImage } from './build-image.ts';

const { values } = parseArgs({
  options: {
    import: { type: 'string', default: 'auto' },
    tag: { type: 'string' },
  },
});

const importMode = values.import;
if (importMode !== 'auto' && importMode !== 'always' && importMode !== 'never') {
  process.stderr.write(`--import must be auto, always or never, not ${importMode}\n`);
  process.exit(64);
}

buildImage({
  importMode,
  ...(values.tag ? { ref: values.tag } : {}),
  log: (line) => process.stderr.write(`[image] ${line}\n`),
}).then(
  (result) => process.stdout.write(`${result.ref}\n`),
  (error: unknown) => {
    process.stderr.write(`[image] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
