#pragma once
// TCP on libuv, as asyncio's streams: TcpListener (start_server), connect
// (open_connection), TcpStream (StreamReader.readline, StreamWriter.write + drain, close).
// Every wait is recorded on the timeline: WaitKind::accept, connect, read, write.

#include "core/tcp_connect.hpp"   // IWYU pragma: export
#include "core/tcp_listener.hpp"  // IWYU pragma: export
#include "core/tcp_stream.hpp"    // IWYU pragma: export
