// A TCP proxy that delays every chunk by DELAY_MS in each direction (so a round trip through it
// costs 2 x DELAY_MS more), as a network between the service and PostgreSQL would. Run as its own
// process: `node bench/lib/latency-proxy.mjs <listen port> <target host> <target port> <delay ms>`;
// it prints "listening" once it accepts connections. Chunks keep their order (timers of equal
// delay fire in the order they were set).
import net from 'node:net';

const [listenPort, targetHost, targetPort, delayMs] = process.argv.slice(2);
const delay = Number(delayMs);

function forward(from, to) {
  from.on('data', (chunk) => setTimeout(() => to.write(chunk), delay));
  from.on('end', () => setTimeout(() => to.end(), delay));
  from.on('error', () => to.destroy());
}

const server = net.createServer((client) => {
  client.setNoDelay(true);
  const upstream = net.connect(Number(targetPort), targetHost);
  upstream.setNoDelay(true);
  forward(client, upstream);
  forward(upstream, client);
});
server.listen(Number(listenPort), '127.0.0.1', () => console.log('listening'));
