/* bench/floor.c: the floor for `wscheck --handshake-only ws://` (issue 16). Connects to
 * HOST:PORT (an IPv4 literal), writes an upgrade request, reads the response head up to its
 * blank line, checks for a 101, sends a masked Close (1000) and exits: 0 on a 101, 1 otherwise.
 * No TLS, no DNS, no threads; built by bench/run.sh with `gcc -O2`.
 *
 *   floor 127.0.0.1 PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: floor IPV4 PORT\n");
        return 2;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("floor: connect");
        return 1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET / HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     argv[1], argv[2]);
    if (write(fd, req, (size_t)n) != n) return 1;
    char buf[4096];
    size_t got = 0;
    for (;;) { /* the head, up to its blank line */
        ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
        if (r <= 0) return 1;
        got += (size_t)r;
        buf[got] = 0;
        if (strstr(buf, "\r\n\r\n")) break;
        if (got == sizeof buf - 1) return 1;
    }
    if (strncmp(buf, "HTTP/1.1 101", 12) != 0) return 1;
    /* Close 1000, masked with a zero key (a client must mask; any key is valid). */
    static const unsigned char close_frame[] = {0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8};
    if (write(fd, close_frame, sizeof close_frame) != (ssize_t)sizeof close_frame) return 1;
    close(fd);
    return 0;
}
