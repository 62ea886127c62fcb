// Validates OpenAPI 3.x / Swagger 2.0 documents with @apidevtools/swagger-parser
// (JSON Schema of the specification plus its semantic checks).
//   node validate.mjs doc.json...
import SwaggerParser from "@apidevtools/swagger-parser";

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const api = await SwaggerParser.validate(file);
    const ops = Object.values(api.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    console.log(`${file}: valid ${api.openapi ? "OpenAPI " + api.openapi : "Swagger " + api.swagger}, ${ops} operations`);
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
