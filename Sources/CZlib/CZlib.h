// zlib, for compressing the page snapshots kept in the state database.
#include <zlib.h>
