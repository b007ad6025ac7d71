/**
 * Executor worker thread: runs map tasks (map-task.ts) sent by the pool and transfers the blocks back.
 * It keeps no state between tasks, so it can be stopped after any task (scale-down drains one task).
 */
import { parentPort } from 'node:worker_threads';
import { runMapTask, type MapTaskInput } from './map-task.ts';

if (parentPort === null) throw new Error('engine worker.ts must run in a worker thread');
const port = parentPort;

port.on('message', (input: MapTaskInput) => {
  try {
    const out = runMapTask(input);
    port.postMessage({ ok: true, out }, out.blocks.map((b) => b.buffer as ArrayBuffer));
  } catch (err) {
    port.postMessage({ ok: false, taskId: input?.taskId, error: err instanceof Error ? err.message : String(err) });
  }
});
port.postMessage({ ready: true });
