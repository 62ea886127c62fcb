/* The table the build generates (oas_embed) from the Swagger UI files. */
#ifndef OAS_ASSETS_INT_H
#define OAS_ASSETS_INT_H

#include <openapi/assets.h>

extern const oas_asset oas_assets_table[]; /* sorted by name */
extern const size_t oas_assets_count;

#endif
