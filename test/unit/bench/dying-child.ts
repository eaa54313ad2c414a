/** A bench child for the tests of bench/lib/children.ts: ready at once, then dies or drops its channel when told. */
const mode = process.env.DYING_CHILD_MODE;
if (mode === 'die-before-ready') process.exit(5);

process.on('message', (msg: { type: string; code?: number }) => {
  if (msg.type === 'die') process.exit(msg.code ?? 3);
  if (msg.type === 'drop-channel') process.disconnect();
  if (msg.type === 'close') process.exit(0);
});
// Lives on without its channel until a signal ends it.
setInterval(() => undefined, 1000);
process.send!({ type: 'ready', url: 'none' });
