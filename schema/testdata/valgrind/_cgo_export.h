/* Stands in for the header cgo generates, for run.sh. */
#include <stdint.h>
int bdtGoRead(uintptr_t h, char *buf, int n);
