/** The framework floor: the same Hono + @hono/node-server stack answering 204 with no work, in its own process. */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('*', (c) => c.body(null, 204));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.send!({ type: 'ready', url: `http://127.0.0.1:${info.port}` });
});
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'close') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
