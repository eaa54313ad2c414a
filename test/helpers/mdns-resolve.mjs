// A LAN device's mDNS lookup: one A query for argv[2] sent from the interface with address argv[3];
// prints the first answer's address (exit 0), or exits 2 when none came within argv[4] ms.
import makeMdns from 'multicast-dns';

const [name, iface, waitMs = '2000'] = process.argv.slice(2);
// Bound to every address (multicast arrives there), sending and joining the group on the client's interface.
const mdns = makeMdns({ interface: iface, bind: '0.0.0.0', loopback: false });
const timer = setTimeout(() => {
  mdns.destroy();
  process.exit(2);
}, Number(waitMs));
mdns.on('response', (r) => {
  const a = r.answers.find((x) => x.type === 'A' && x.name.toLowerCase() === name.toLowerCase());
  if (!a) return;
  clearTimeout(timer);
  console.log(a.data);
  mdns.destroy();
  process.exit(0);
});
mdns.on('error', (e) => {
  console.error(e.message);
  process.exit(1);
});
mdns.on('ready', () => mdns.query({ questions: [{ name, type: 'A' }] }));
