/* Serial lines for the com: transport: open a device raw at a baud rate. */
#ifndef DBGSRV_TRANSPORT_SERIAL_H
#define DBGSRV_TRANSPORT_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

#define SERIAL_DEFAULT_BAUD 115200

/* True if BAUD is a rate the line can be set to. */
bool serial_baud_supported(unsigned baud);

/* Opens DEVICE raw (8 data bits, no parity, no flow control) at BAUD (0 for
 * the default). Returns the fd or -1 with ERR. */
int serial_open(const char *device, unsigned baud, char *err, size_t errlen);

#endif
