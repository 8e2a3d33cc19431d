
use builtin;
use str;

set edit:completion:arg-completer[wscheck] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'wscheck'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'wscheck'= {
            cand -H 'Add a request header, ''Name: value''; one naming a generated header replaces it, and ''Name:'' with no value removes it. Repeatable'
            cand --header 'Add a request header, ''Name: value''; one naming a generated header replaces it, and ''Name:'' with no value removes it. Repeatable'
            cand -s 'Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable'
            cand --subprotocol 'Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable'
            cand -o 'Send an Origin header'
            cand --origin 'Send an Origin header'
            cand -u 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal'
            cand --auth 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal'
            cand --user 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal'
            cand --cacert 'wss://: trust the certificates in this PEM file too (added to the system roots)'
            cand --cert 'wss://: present this PEM client certificate (with --key)'
            cand --key 'wss://: the PKCS#8 PEM private key of --cert'
            cand --cert-warn-days 'wss://: warn when the server''s certificate expires within N days'
            cand --proxy 'Tunnel through this proxy: http://[user:pass@]host[:port] (CONNECT), socks5://… (SOCKS5, the name resolved here) or socks5h://… (the proxy resolves it); '''' for none. Without it: http_proxy (ws://), https_proxy/HTTPS_PROXY (wss://), all_proxy/ALL_PROXY.'
            cand --noproxy 'Hosts to reach without a proxy (comma-separated names, domains, IPs or CIDR ranges such as 10.0.0.0/8; overrides NO_PROXY); ''*'' for all'
            cand --unix-socket 'Connect to this Unix domain socket instead of the network; the URL still gives Host, the path and, for wss://, the TLS name (as curl)'
            cand --connect-to 'For a connection to HOST:PORT, connect to CONNECT_HOST:CONNECT_PORT instead; Host, SNI and certificate checks keep the URL''s name. Empty HOST or PORT: any; empty CONNECT_HOST or CONNECT_PORT: the URL''s. IPv6 in brackets. Repeatable; the first match applies'
            cand --resolve 'Use these addresses for HOST:PORT instead of DNS: HOST:PORT:ADDR[,ADDR...] (HOST may be ''*''; IPv6 in [brackets]); used whatever -4/-6 say. Repeatable'
            cand --connect-timeout 'One deadline for DNS + TCP + TLS + the HTTP exchange of each connection (250ms, 2s, 1m, or seconds; 0: no limit)'
            cand --max-redirs 'The most redirects -L follows'
            cand -x 'Send MSG after connecting (repeatable, in order); stdin is then not read. @FILE sends the file''s content as one message, @- stdin''s, @@text the text @text'
            cand --execute 'Send MSG after connecting (repeatable, in order); stdin is then not read. @FILE sends the file''s content as one message, @- stdin''s, @@text the text @text'
            cand -n 'Exit 0 after N received messages (a goal: see --timeout)'
            cand --count 'Exit 0 after N received messages (a goal: see --timeout)'
            cand --expect 'Exit 0 at the first received message matching this regex (a goal: see --timeout)'
            cand --expect-close 'Exit 0 only if the server closes with one of these codes (comma-separated, or the flag repeated); another code, or none, exits 8 (a goal: see --timeout)'
            cand -w 'After the last send, keep listening until the connection has been quiet this long (default 1s; every received message restarts it; 0 closes at once). Not with a goal'
            cand --wait 'After the last send, keep listening until the connection has been quiet this long (default 1s; every received message restarts it; 0 closes at once). Not with a goal'
            cand --timeout 'Overall deadline, from start to exit: DNS, connect, TLS, the HTTP exchange and the session (0: no limit). Default: none, or 10s of session when a goal is given'
            cand --binary-output 'How received binary messages are written to a pipe [default: hex]'
            cand --ping-interval 'Send a ping this often and show each round-trip time'
            cand --ping-timeout 'End the session (exit 9) when a ping is not answered within this long'
            cand --max-size 'Largest message (and frame) accepted: bytes, or 64k/64KiB, 1M/1MiB, 1G (binary multiples), at most 1G; a larger one ends the session (1009)'
            cand --color 'When to use colour'
            cand --trace 'Write every byte sent and received (after TLS: decrypted for wss) to FILE, timestamped, in hex and ASCII with each WebSocket frame''s header annotated, as curl''s --trace; ''-'' for stderr. Credentials masked unless --show-secrets'
            cand --trace-ascii 'Like --trace, in ASCII only (curl''s --trace-ascii)'
            cand --har 'Write the run as HAR 1.2 to FILE at exit (as browser dev tools export it): the upgrade exchange as an entry, the messages in _webSocketMessages'
            cand --deflate 'Offer permessage-deflate as Chrome does (''Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits''), judge the answer, and compress messages when it is agreed'
            cand -k 'wss://: accept any certificate and host name (insecure)'
            cand --insecure 'wss://: accept any certificate and host name (insecure)'
            cand -4 'Resolve names to IPv4 addresses only'
            cand --ipv4 'Resolve names to IPv4 addresses only'
            cand -6 'Resolve names to IPv6 addresses only'
            cand --ipv6 'Resolve names to IPv6 addresses only'
            cand --http2 'Open the WebSocket over HTTP/2 (RFC 8441 extended CONNECT), as browsers do when the server offers it: wss:// by ALPN h2, ws:// as h2c with prior knowledge. Success is 200, not 101'
            cand -L 'Follow redirects (3xx with Location)'
            cand --location 'Follow redirects (3xx with Location)'
            cand --handshake-only 'Close (1000) right after the verdict'
            cand --binary 'Send each stdin line, and each -x message, as a binary message'
            cand -0 'End each received message on stdout with a NUL byte instead of a newline'
            cand --null 'End each received message on stdout with a NUL byte instead of a newline'
            cand -P 'Show ping and pong frames'
            cand --show-ping-pong 'Show ping and pong frames'
            cand --timestamps 'Prefix messages shown on a terminal with the time since start'
            cand --lenient 'Go on into the session after a 101 whose findings have errors'
            cand -v 'Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message'
            cand --verbose 'Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message'
            cand --json 'JSON Lines events on stdout instead of the transcript'
            cand --show-secrets 'Show credentials (Authorization, Cookie, …) instead of masking them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Run a local echo server with a configurable handshake, strict about RFC 6455 (--lenient: not)'
            cand demo 'Start an echo server on 127.0.0.1 and inspect it: the zero-setup tour'
            cand probe 'Send the handshake as every client that will call URL sends it, and what RFC 6455 says a server must refuse or accept; print a matrix of pass / fail / warn / skip'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Print the man page (roff) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wscheck;serve'= {
            cand -p 'Port to listen on; 0 picks a free one. The URL is printed on stdout'
            cand --port 'Port to listen on; 0 picks a free one. The URL is printed on stdout'
            cand -b 'Address to bind'
            cand --bind 'Address to bind'
            cand --reason 'The reason phrase of the 101 status line'
            cand -s 'Accept this subprotocol when the client offers it. Repeatable'
            cand --subprotocol 'Accept this subprotocol when the client offers it. Repeatable'
            cand --cert 'Serve wss:// with this PEM certificate (chain) …'
            cand --key '… and this PKCS#8 PEM private key'
            cand --deflate 'Accept a permessage-deflate offer (RFC 7692) and echo compressed'
            cand --lenient 'Accept what a strict server refuses (any method, HTTP/1.0, no Host, a key that is not 16 bytes) and drop a connection that breaks the framing rules without a Close frame'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wscheck;demo'= {
            cand --http2 'The tour over HTTP/2 (RFC 8441): the WebSocket opens with :status 200, not 101'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wscheck;probe'= {
            cand -H 'Add a request header, ''Name: value''; one naming a generated header replaces it, and ''Name:'' with no value removes it. Repeatable'
            cand --header 'Add a request header, ''Name: value''; one naming a generated header replaces it, and ''Name:'' with no value removes it. Repeatable'
            cand -s 'Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable'
            cand --subprotocol 'Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable'
            cand -o 'Send an Origin header'
            cand --origin 'Send an Origin header'
            cand -u 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal'
            cand --auth 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal'
            cand --user 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal'
            cand --cacert 'wss://: trust the certificates in this PEM file too (added to the system roots)'
            cand --cert 'wss://: present this PEM client certificate (with --key)'
            cand --key 'wss://: the PKCS#8 PEM private key of --cert'
            cand --cert-warn-days 'wss://: warn when the server''s certificate expires within N days'
            cand --proxy 'Tunnel through this proxy: http://[user:pass@]host[:port] (CONNECT), socks5://… (SOCKS5, the name resolved here) or socks5h://… (the proxy resolves it); '''' for none. Without it: http_proxy (ws://), https_proxy/HTTPS_PROXY (wss://), all_proxy/ALL_PROXY.'
            cand --noproxy 'Hosts to reach without a proxy (comma-separated names, domains, IPs or CIDR ranges such as 10.0.0.0/8; overrides NO_PROXY); ''*'' for all'
            cand --unix-socket 'Connect to this Unix domain socket instead of the network; the URL still gives Host, the path and, for wss://, the TLS name (as curl)'
            cand --connect-to 'For a connection to HOST:PORT, connect to CONNECT_HOST:CONNECT_PORT instead; Host, SNI and certificate checks keep the URL''s name. Empty HOST or PORT: any; empty CONNECT_HOST or CONNECT_PORT: the URL''s. IPv6 in brackets. Repeatable; the first match applies'
            cand --resolve 'Use these addresses for HOST:PORT instead of DNS: HOST:PORT:ADDR[,ADDR...] (HOST may be ''*''; IPv6 in [brackets]); used whatever -4/-6 say. Repeatable'
            cand --connect-timeout 'One deadline for DNS + TCP + TLS + the HTTP exchange of each connection (250ms, 2s, 1m, or seconds; 0: no limit)'
            cand --color 'When to use colour'
            cand --trace 'Write every byte sent and received (after TLS: decrypted for wss) to FILE, timestamped, in hex and ASCII with each WebSocket frame''s header annotated, as curl''s --trace; ''-'' for stderr. Credentials masked unless --show-secrets'
            cand --trace-ascii 'Like --trace, in ASCII only (curl''s --trace-ascii)'
            cand --har 'Write the run as HAR 1.2 to FILE at exit (as browser dev tools export it): the upgrade exchange as an entry, the messages in _webSocketMessages'
            cand --parallel 'Run this many variants at once, each on its own connection'
            cand --only 'Run only this group or variant (repeatable, or comma-separated)'
            cand --skip 'Leave out this group or variant (repeatable, or comma-separated)'
            cand --deflate 'Offer permessage-deflate as Chrome does (''Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits''), judge the answer, and compress messages when it is agreed'
            cand -k 'wss://: accept any certificate and host name (insecure)'
            cand --insecure 'wss://: accept any certificate and host name (insecure)'
            cand -4 'Resolve names to IPv4 addresses only'
            cand --ipv4 'Resolve names to IPv4 addresses only'
            cand -6 'Resolve names to IPv6 addresses only'
            cand --ipv6 'Resolve names to IPv6 addresses only'
            cand --http2 'Open the WebSocket over HTTP/2 (RFC 8441 extended CONNECT), as browsers do when the server offers it: wss:// by ALPN h2, ws:// as h2c with prior knowledge. Success is 200, not 101'
            cand -v 'Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message'
            cand --verbose 'Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message'
            cand --json 'JSON Lines events on stdout instead of the transcript'
            cand --show-secrets 'Show credentials (Authorization, Cookie, …) instead of masking them'
            cand --list 'Print every variant (group, id, what it sends, what it expects) and exit; with -v, each request in full'
            cand --strict 'Exit 6 when a variant warns, not only when one fails'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wscheck;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wscheck;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'wscheck;help'= {
            cand serve 'Run a local echo server with a configurable handshake, strict about RFC 6455 (--lenient: not)'
            cand demo 'Start an echo server on 127.0.0.1 and inspect it: the zero-setup tour'
            cand probe 'Send the handshake as every client that will call URL sends it, and what RFC 6455 says a server must refuse or accept; print a matrix of pass / fail / warn / skip'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Print the man page (roff) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wscheck;help;serve'= {
        }
        &'wscheck;help;demo'= {
        }
        &'wscheck;help;probe'= {
        }
        &'wscheck;help;completions'= {
        }
        &'wscheck;help;man'= {
        }
        &'wscheck;help;help'= {
        }
    ]
    $completions[$command]
}
