// libcurl (Debian: libcurl4-openssl-dev). Its variadic setters live in CCurlShim.
#include <curl/curl.h>
