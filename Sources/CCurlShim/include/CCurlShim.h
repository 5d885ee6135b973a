#ifndef CCURLSHIM_H
#define CCURLSHIM_H
// Typed wrappers for libcurl's C-variadic functions, which Swift cannot call.
#include <curl/curl.h>

CURLcode briefd_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode briefd_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode briefd_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode briefd_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode briefd_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode briefd_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode briefd_curl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value);
CURLcode briefd_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);
CURLMcode briefd_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

#endif
