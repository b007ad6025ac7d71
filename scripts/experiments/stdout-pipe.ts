// Imported first by every experiment script: when the reader of its output goes away (`... | head`), stdout's next
// write fails with EPIPE, an uncaught error with a stack trace. Nobody reads what comes after, so the script ends
// quietly instead of computing on (exit code 0, as `seq 1e9 | head` ends).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    throw err;
  });
}
