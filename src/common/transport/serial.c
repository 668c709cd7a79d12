#include "transport/serial.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const struct {
    unsigned rate;
    speed_t speed;
} rates[] = {
    {1200, B1200}, {2400, B2400}, {4800, B4800}, {9600, B9600}, {19200, B19200}, {38400, B38400},
    {57600, B57600}, {115200, B115200}, {230400, B230400}, {460800, B460800}, {921600, B921600},
    {1000000, B1000000}, {1500000, B1500000}, {2000000, B2000000}, {3000000, B3000000}, {4000000, B4000000},
};

static bool speed_of(unsigned baud, speed_t *speed)
{
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        if (rates[i].rate == baud) {
            *speed = rates[i].speed;
            return true;
        }
    return false;
}

bool serial_baud_supported(unsigned baud)
{
    speed_t s;
    return baud == 0 || speed_of(baud, &s);
}

int serial_open(const char *device, unsigned baud, char *err, size_t errlen)
{
    speed_t speed;
    if (!speed_of(baud ? baud : SERIAL_DEFAULT_BAUD, &speed)) {
        snprintf(err, errlen, "unsupported baud rate %u", baud);
        return -1;
    }
    int fd = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open serial line %s: %s", device, strerror(errno));
        return -1;
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0) {
        snprintf(err, errlen, "%s is not a serial line: %s", device, strerror(errno));
        close(fd);
        return -1;
    }
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~(tcflag_t)CRTSCTS;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    cfsetispeed(&tio, speed);
    cfsetospeed(&tio, speed);
    if (tcsetattr(fd, TCSANOW, &tio) != 0) {
        snprintf(err, errlen, "cannot configure %s: %s", device, strerror(errno));
        close(fd);
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    return fd;
}
