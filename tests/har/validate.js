// Validate a HAR file against the HAR 1.2 JSON schema with the `har-validator` npm package.
//
//     NODE_PATH=target/ci/har/node_modules node validate.js FILE
//
// Used by tests/har.rs; prints the schema errors and exits 1 when the file is not valid HAR.
const fs = require("fs");
const validator = require("har-validator");

validator.har(JSON.parse(fs.readFileSync(process.argv[2], "utf8"))).then(
  () => console.log("har-validator: valid HAR 1.2"),
  (e) => {
    console.error("har-validator: not valid HAR 1.2:", JSON.stringify(e.errors || e.message, null, 1));
    process.exit(1);
  },
);
