/** The ceiling: a bare node:http server answering 204 to everything, in its own process. */
import { createServer } from 'node:http';

const server = createServer((_req, res) => {
  res.statusCode = 204;
  res.end();
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send!({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'memory') process.send!({ type: 'memory', ...process.memoryUsage() });
  if (msg.type === 'close') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
