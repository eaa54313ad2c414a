// Another device on the LAN that claims argv[2]: answers A queries for it with its own address argv[3]
// (probes included, which is how avahi learns the name is taken). Prints "ready" once listening.
import makeMdns from 'multicast-dns';

const [name, iface] = process.argv.slice(2);
const mdns = makeMdns({ interface: iface, bind: '0.0.0.0', loopback: false });
mdns.on('query', (q) => {
  if (!q.questions.some((x) => x.name.toLowerCase() === name.toLowerCase())) return;
  mdns.respond({ answers: [{ name, type: 'A', ttl: 120, flush: true, data: iface }] });
});
mdns.on('ready', () => console.log('ready'));
process.on('SIGTERM', () => {
  mdns.destroy();
  process.exit(0);
});
