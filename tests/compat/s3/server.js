// A real S3-protocol server for the S3 sink tests: s3rver on 127.0.0.1 (any free port),
// its objects under the directory given, with the buckets named after it created. It
// checks AWS Signature V4 with the access key S3RVER and the secret key S3RVER. Prints
// "listening <port>" once it serves; stops on SIGTERM.
//   node server.js DIR [BUCKET...]
const S3rver = require("s3rver");

const [dir, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  directory: dir,
  silent: true,
  configureBuckets: buckets.map((name) => ({ name })),
});
server.run().then(
  (address) => console.log(`listening ${address.port}`),
  (err) => {
    console.error(`s3rver: ${err.message}`);
    process.exit(1);
  },
);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
