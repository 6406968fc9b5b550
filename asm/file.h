/* Whole-file reading for the hosted tools. */
#ifndef SLUICE_FILE_H
#define SLUICE_FILE_H

#include <stddef.h>

/* Reads all of path ("-" = standard input) into a malloc'd buffer with a terminating NUL after
 * its *len bytes (so text can be used as a string). NULL with errno set on failure. */
char *sl_file_read(const char *path, size_t *len);

#endif
