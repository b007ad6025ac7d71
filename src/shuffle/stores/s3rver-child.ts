/**
 * Child-process entry of the embedded S3 server (started by ./s3-server.ts through fork()).
 *
 * It runs with `--openssl-legacy-provider`, which s3rver 3.7.1 needs for ListObjectsV2 (it encrypts
 * continuation tokens with DES; reference/infra.md §2.3) and which cannot be switched on inside an already
 * running process. It reports its port over IPC and exits when told to, or when its parent goes away, so
 * a crashed test never leaves a server behind.
 */
import { rmSync } from 'node:fs';
import S3rver from 's3rver';

const directory = process.env.EDGEPILOT_S3RVER_DIR;
if (directory === undefined || directory === '' || process.send === undefined) {
  console.error('s3rver-child: start me through startEmbeddedS3() (needs an IPC channel and EDGEPILOT_S3RVER_DIR)');
  process.exit(2);
}

const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
const address = await server.run();
process.send({ type: 'listening', port: address.port });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close().catch(() => undefined);
  process.exit(0);
}
process.on('message', (message: { type?: string }) => {
  if (message?.type === 'stop') void stop();
});
// Parent gone without stop(): it cannot clean up, so remove the folder it created for us.
process.on('disconnect', () => {
  if (process.env.EDGEPILOT_S3RVER_REMOVE_DIR === '1') rmSync(directory, { recursive: true, force: true });
  void stop();
});
