# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_wscheck_global_optspecs
    string join \n H/header= s/subprotocol= o/origin= u/auth= deflate k/insecure cacert= cert= key= cert-warn-days= proxy= noproxy= unix-socket= connect-to= resolve= 4/ipv4 6/ipv6 connect-timeout= http2 L/location max-redirs= handshake-only x/execute= n/count= expect= expect-close= w/wait= timeout= binary 0/null binary-output= P/show-ping-pong ping-interval= ping-timeout= max-size= timestamps lenient v/verbose json show-secrets color= trace= trace-ascii= har= h/help V/version
end

function __fish_wscheck_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_wscheck_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_wscheck_using_subcommand
    set -l cmd (__fish_wscheck_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c wscheck -n "__fish_wscheck_needs_command" -s H -l header -d 'Add a request header, \'Name: value\'; one naming a generated header replaces it, and \'Name:\' with no value removes it. Repeatable' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -s s -l subprotocol -d 'Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -s o -l origin -d 'Send an Origin header' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -s u -l auth -l user -d 'Send \'Authorization: Basic\' with these credentials (instead of the URL\'s user:pass@); with no \':PASS\' the password is asked for on the terminal' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l cacert -d 'wss://: trust the certificates in this PEM file too (added to the system roots)' -r -F
complete -c wscheck -n "__fish_wscheck_needs_command" -l cert -d 'wss://: present this PEM client certificate (with --key)' -r -F
complete -c wscheck -n "__fish_wscheck_needs_command" -l key -d 'wss://: the PKCS#8 PEM private key of --cert' -r -F
complete -c wscheck -n "__fish_wscheck_needs_command" -l cert-warn-days -d 'wss://: warn when the server\'s certificate expires within N days' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l proxy -d 'Tunnel through this proxy: http://[user:pass@]host[:port] (CONNECT), socks5://… (SOCKS5, the name resolved here) or socks5h://… (the proxy resolves it); \'\' for none. Without it: http_proxy (ws://), https_proxy/HTTPS_PROXY (wss://), all_proxy/ALL_PROXY.' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l noproxy -d 'Hosts to reach without a proxy (comma-separated names, domains, IPs or CIDR ranges such as 10.0.0.0/8; overrides NO_PROXY); \'*\' for all' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l unix-socket -d 'Connect to this Unix domain socket instead of the network; the URL still gives Host, the path and, for wss://, the TLS name (as curl)' -r -F
complete -c wscheck -n "__fish_wscheck_needs_command" -l connect-to -d 'For a connection to HOST:PORT, connect to CONNECT_HOST:CONNECT_PORT instead; Host, SNI and certificate checks keep the URL\'s name. Empty HOST or PORT: any; empty CONNECT_HOST or CONNECT_PORT: the URL\'s. IPv6 in brackets. Repeatable; the first match applies' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l resolve -d 'Use these addresses for HOST:PORT instead of DNS: HOST:PORT:ADDR[,ADDR...] (HOST may be \'*\'; IPv6 in [brackets]); used whatever -4/-6 say. Repeatable' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l connect-timeout -d 'One deadline for DNS + TCP + TLS + the HTTP exchange of each connection (250ms, 2s, 1m, or seconds; 0: no limit)' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l max-redirs -d 'The most redirects -L follows' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -s x -l execute -d 'Send MSG after connecting (repeatable, in order); stdin is then not read. @FILE sends the file\'s content as one message, @- stdin\'s, @@text the text @text' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -s n -l count -d 'Exit 0 after N received messages (a goal: see --timeout)' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l expect -d 'Exit 0 at the first received message matching this regex (a goal: see --timeout)' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l expect-close -d 'Exit 0 only if the server closes with one of these codes (comma-separated, or the flag repeated); another code, or none, exits 8 (a goal: see --timeout)' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -s w -l wait -d 'After the last send, keep listening until the connection has been quiet this long (default 1s; every received message restarts it; 0 closes at once). Not with a goal' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l timeout -d 'Overall deadline, from start to exit: DNS, connect, TLS, the HTTP exchange and the session (0: no limit). Default: none, or 10s of session when a goal is given' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l binary-output -d 'How received binary messages are written to a pipe [default: hex]' -r -f -a "raw\t'The bytes as they are, newline-terminated'
hex\t'Lower-case hex, one message per line'
base64\t'Base64, one message per line'"
complete -c wscheck -n "__fish_wscheck_needs_command" -l ping-interval -d 'Send a ping this often and show each round-trip time' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l ping-timeout -d 'End the session (exit 9) when a ping is not answered within this long' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l max-size -d 'Largest message (and frame) accepted: bytes, or 64k/64KiB, 1M/1MiB, 1G (binary multiples), at most 1G; a larger one ends the session (1009)' -r
complete -c wscheck -n "__fish_wscheck_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wscheck -n "__fish_wscheck_needs_command" -l trace -d 'Write every byte sent and received (after TLS: decrypted for wss) to FILE, timestamped, in hex and ASCII with each WebSocket frame\'s header annotated, as curl\'s --trace; \'-\' for stderr. Credentials masked unless --show-secrets' -r -F
complete -c wscheck -n "__fish_wscheck_needs_command" -l trace-ascii -d 'Like --trace, in ASCII only (curl\'s --trace-ascii)' -r -F
complete -c wscheck -n "__fish_wscheck_needs_command" -l har -d 'Write the run as HAR 1.2 to FILE at exit (as browser dev tools export it): the upgrade exchange as an entry, the messages in _webSocketMessages' -r -F
complete -c wscheck -n "__fish_wscheck_needs_command" -l deflate -d 'Offer permessage-deflate as Chrome does (\'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\'), judge the answer, and compress messages when it is agreed'
complete -c wscheck -n "__fish_wscheck_needs_command" -s k -l insecure -d 'wss://: accept any certificate and host name (insecure)'
complete -c wscheck -n "__fish_wscheck_needs_command" -s 4 -l ipv4 -d 'Resolve names to IPv4 addresses only'
complete -c wscheck -n "__fish_wscheck_needs_command" -s 6 -l ipv6 -d 'Resolve names to IPv6 addresses only'
complete -c wscheck -n "__fish_wscheck_needs_command" -l http2 -d 'Open the WebSocket over HTTP/2 (RFC 8441 extended CONNECT), as browsers do when the server offers it: wss:// by ALPN h2, ws:// as h2c with prior knowledge. Success is 200, not 101'
complete -c wscheck -n "__fish_wscheck_needs_command" -s L -l location -d 'Follow redirects (3xx with Location)'
complete -c wscheck -n "__fish_wscheck_needs_command" -l handshake-only -d 'Close (1000) right after the verdict'
complete -c wscheck -n "__fish_wscheck_needs_command" -l binary -d 'Send each stdin line, and each -x message, as a binary message'
complete -c wscheck -n "__fish_wscheck_needs_command" -s 0 -l null -d 'End each received message on stdout with a NUL byte instead of a newline'
complete -c wscheck -n "__fish_wscheck_needs_command" -s P -l show-ping-pong -d 'Show ping and pong frames'
complete -c wscheck -n "__fish_wscheck_needs_command" -l timestamps -d 'Prefix messages shown on a terminal with the time since start'
complete -c wscheck -n "__fish_wscheck_needs_command" -l lenient -d 'Go on into the session after a 101 whose findings have errors'
complete -c wscheck -n "__fish_wscheck_needs_command" -s v -l verbose -d 'Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message'
complete -c wscheck -n "__fish_wscheck_needs_command" -l json -d 'JSON Lines events on stdout instead of the transcript'
complete -c wscheck -n "__fish_wscheck_needs_command" -l show-secrets -d 'Show credentials (Authorization, Cookie, …) instead of masking them'
complete -c wscheck -n "__fish_wscheck_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wscheck -n "__fish_wscheck_needs_command" -s V -l version -d 'Print version'
complete -c wscheck -n "__fish_wscheck_needs_command" -a "serve" -d 'Run a local echo server with a configurable handshake, strict about RFC 6455 (--lenient: not)'
complete -c wscheck -n "__fish_wscheck_needs_command" -a "demo" -d 'Start an echo server on 127.0.0.1 and inspect it: the zero-setup tour'
complete -c wscheck -n "__fish_wscheck_needs_command" -a "probe" -d 'Send the handshake as every client that will call URL sends it, and what RFC 6455 says a server must refuse or accept; print a matrix of pass / fail / warn / skip'
complete -c wscheck -n "__fish_wscheck_needs_command" -a "completions" -d 'Print a shell completion script to stdout'
complete -c wscheck -n "__fish_wscheck_needs_command" -a "man" -d 'Print the man page (roff) to stdout'
complete -c wscheck -n "__fish_wscheck_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wscheck -n "__fish_wscheck_using_subcommand serve" -s p -l port -d 'Port to listen on; 0 picks a free one. The URL is printed on stdout' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand serve" -s b -l bind -d 'Address to bind' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand serve" -l reason -d 'The reason phrase of the 101 status line' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand serve" -s s -l subprotocol -d 'Accept this subprotocol when the client offers it. Repeatable' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand serve" -l cert -d 'Serve wss:// with this PEM certificate (chain) …' -r -F
complete -c wscheck -n "__fish_wscheck_using_subcommand serve" -l key -d '… and this PKCS#8 PEM private key' -r -F
complete -c wscheck -n "__fish_wscheck_using_subcommand serve" -l deflate -d 'Accept a permessage-deflate offer (RFC 7692) and echo compressed'
complete -c wscheck -n "__fish_wscheck_using_subcommand serve" -l lenient -d 'Accept what a strict server refuses (any method, HTTP/1.0, no Host, a key that is not 16 bytes) and drop a connection that breaks the framing rules without a Close frame'
complete -c wscheck -n "__fish_wscheck_using_subcommand serve" -s h -l help -d 'Print help'
complete -c wscheck -n "__fish_wscheck_using_subcommand demo" -l http2 -d 'The tour over HTTP/2 (RFC 8441): the WebSocket opens with :status 200, not 101'
complete -c wscheck -n "__fish_wscheck_using_subcommand demo" -s h -l help -d 'Print help'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -s H -l header -d 'Add a request header, \'Name: value\'; one naming a generated header replaces it, and \'Name:\' with no value removes it. Repeatable' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -s s -l subprotocol -d 'Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -s o -l origin -d 'Send an Origin header' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -s u -l auth -l user -d 'Send \'Authorization: Basic\' with these credentials (instead of the URL\'s user:pass@); with no \':PASS\' the password is asked for on the terminal' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l cacert -d 'wss://: trust the certificates in this PEM file too (added to the system roots)' -r -F
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l cert -d 'wss://: present this PEM client certificate (with --key)' -r -F
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l key -d 'wss://: the PKCS#8 PEM private key of --cert' -r -F
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l cert-warn-days -d 'wss://: warn when the server\'s certificate expires within N days' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l proxy -d 'Tunnel through this proxy: http://[user:pass@]host[:port] (CONNECT), socks5://… (SOCKS5, the name resolved here) or socks5h://… (the proxy resolves it); \'\' for none. Without it: http_proxy (ws://), https_proxy/HTTPS_PROXY (wss://), all_proxy/ALL_PROXY.' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l noproxy -d 'Hosts to reach without a proxy (comma-separated names, domains, IPs or CIDR ranges such as 10.0.0.0/8; overrides NO_PROXY); \'*\' for all' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l unix-socket -d 'Connect to this Unix domain socket instead of the network; the URL still gives Host, the path and, for wss://, the TLS name (as curl)' -r -F
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l connect-to -d 'For a connection to HOST:PORT, connect to CONNECT_HOST:CONNECT_PORT instead; Host, SNI and certificate checks keep the URL\'s name. Empty HOST or PORT: any; empty CONNECT_HOST or CONNECT_PORT: the URL\'s. IPv6 in brackets. Repeatable; the first match applies' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l resolve -d 'Use these addresses for HOST:PORT instead of DNS: HOST:PORT:ADDR[,ADDR...] (HOST may be \'*\'; IPv6 in [brackets]); used whatever -4/-6 say. Repeatable' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l connect-timeout -d 'One deadline for DNS + TCP + TLS + the HTTP exchange of each connection (250ms, 2s, 1m, or seconds; 0: no limit)' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l trace -d 'Write every byte sent and received (after TLS: decrypted for wss) to FILE, timestamped, in hex and ASCII with each WebSocket frame\'s header annotated, as curl\'s --trace; \'-\' for stderr. Credentials masked unless --show-secrets' -r -F
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l trace-ascii -d 'Like --trace, in ASCII only (curl\'s --trace-ascii)' -r -F
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l har -d 'Write the run as HAR 1.2 to FILE at exit (as browser dev tools export it): the upgrade exchange as an entry, the messages in _webSocketMessages' -r -F
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l parallel -d 'Run this many variants at once, each on its own connection' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l only -d 'Run only this group or variant (repeatable, or comma-separated)' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l skip -d 'Leave out this group or variant (repeatable, or comma-separated)' -r
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l deflate -d 'Offer permessage-deflate as Chrome does (\'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\'), judge the answer, and compress messages when it is agreed'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -s k -l insecure -d 'wss://: accept any certificate and host name (insecure)'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -s 4 -l ipv4 -d 'Resolve names to IPv4 addresses only'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -s 6 -l ipv6 -d 'Resolve names to IPv6 addresses only'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l http2 -d 'Open the WebSocket over HTTP/2 (RFC 8441 extended CONNECT), as browsers do when the server offers it: wss:// by ALPN h2, ws:// as h2c with prior knowledge. Success is 200, not 101'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -s v -l verbose -d 'Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l json -d 'JSON Lines events on stdout instead of the transcript'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l show-secrets -d 'Show credentials (Authorization, Cookie, …) instead of masking them'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l list -d 'Print every variant (group, id, what it sends, what it expects) and exit; with -v, each request in full'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -l strict -d 'Exit 6 when a variant warns, not only when one fails'
complete -c wscheck -n "__fish_wscheck_using_subcommand probe" -s h -l help -d 'Print help'
complete -c wscheck -n "__fish_wscheck_using_subcommand completions" -s h -l help -d 'Print help'
complete -c wscheck -n "__fish_wscheck_using_subcommand man" -s h -l help -d 'Print help'
complete -c wscheck -n "__fish_wscheck_using_subcommand help; and not __fish_seen_subcommand_from serve demo probe completions man help" -f -a "serve" -d 'Run a local echo server with a configurable handshake, strict about RFC 6455 (--lenient: not)'
complete -c wscheck -n "__fish_wscheck_using_subcommand help; and not __fish_seen_subcommand_from serve demo probe completions man help" -f -a "demo" -d 'Start an echo server on 127.0.0.1 and inspect it: the zero-setup tour'
complete -c wscheck -n "__fish_wscheck_using_subcommand help; and not __fish_seen_subcommand_from serve demo probe completions man help" -f -a "probe" -d 'Send the handshake as every client that will call URL sends it, and what RFC 6455 says a server must refuse or accept; print a matrix of pass / fail / warn / skip'
complete -c wscheck -n "__fish_wscheck_using_subcommand help; and not __fish_seen_subcommand_from serve demo probe completions man help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c wscheck -n "__fish_wscheck_using_subcommand help; and not __fish_seen_subcommand_from serve demo probe completions man help" -f -a "man" -d 'Print the man page (roff) to stdout'
complete -c wscheck -n "__fish_wscheck_using_subcommand help; and not __fish_seen_subcommand_from serve demo probe completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
