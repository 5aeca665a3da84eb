using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Api;

/// <summary>
/// A client's broken request is the client's problem: a 4xx that says what was wrong, and no error with a stack trace in
/// the server's log (the server as its own process, so its console is what an operator reads).
/// </summary>
public sealed class ClientErrorTests
{
    private static string[] Args(TempDirectory dir) =>
    [
        $"--Orchestrator:Storage:ConnectionString={dir.SqliteConnectionString()}",
        $"--Orchestrator:Results:Directory={Path.Combine(dir.Path, "results")}",
    ];

    /// <summary>Sends <paramref name="head"/> (request line and headers), then <paramref name="body"/> as told, and returns the status line.</summary>
    private static async Task<string> RawAsync(int port, string head, Func<NetworkStream, Task> body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n") + "\r\n"));
        var sending = body(stream);
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var n = await stream.ReadAsync(buffer, timeout.Token);
        try { await sending; } catch (IOException) { } catch (SocketException) { } catch (OperationCanceledException) { }
        return Encoding.ASCII.GetString(buffer, 0, n).Split("\r\n")[0];
    }

    private static void AssertNoStackTrace(ServerProcess server)
    {
        var output = server.Output;
        Assert.DoesNotContain(output, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("fail:"));
    }

    [Fact]
    public async Task Oversized_slow_and_expect_continue_bodies_are_4xx_and_logged_without_a_stack_trace()
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        using var server = await ServerProcess.StartAsync(port, Args(dir));

        // A webhook registration past its 1 MiB limit, the whole body sent.
        var big = "{\"url\":\"https://hooks.example.com/" + new string('a', 2 * 1024 * 1024) + "\"}";
        var oversized = await RawAsync(port, $"POST /v1/webhooks HTTP/1.1\nHost: 127.0.0.1:{port}\nContent-Type: application/json\nContent-Length: {big.Length}\n",
            async s => await s.WriteAsync(Encoding.ASCII.GetBytes(big)));
        Assert.Contains(" 413 ", oversized + " ");

        // Asks before sending 300 MB to a batch (whose limit is 256 MiB): refused before a byte is sent.
        var expect = await RawAsync(port, $"POST /v1/batches HTTP/1.1\nHost: 127.0.0.1:{port}\nContent-Type: application/x-ndjson\nContent-Length: {300L * 1024 * 1024}\nExpect: 100-continue\n",
            _ => Task.CompletedTask);
        Assert.Matches(" (413|417) ", expect + " ");

        // A body that trickles in far slower than Kestrel's minimum rate (240 bytes/s after a 5 s grace).
        var stopwatch = Stopwatch.StartNew();
        var slow = await RawAsync(port, $"POST /v1/tasks HTTP/1.1\nHost: 127.0.0.1:{port}\nContent-Type: application/json\nContent-Length: 100000\n",
            async s => { for (var i = 0; i < 30; i++) { await s.WriteAsync("{"u8.ToArray()); await Task.Delay(500); } });
        Assert.Contains(" 408 ", slow + " ");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");

        // The server is still fine, and said nothing about any of it as its own failure.
        Assert.True((await server.Http.GetAsync("/healthz")).IsSuccessStatusCode);
        AssertNoStackTrace(server);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_read_only_journal_file_stops_the_start_naming_the_file()
    {
        using var dir = new TempDirectory();
        var journal = Path.Combine(dir.Path, "journal.db");
        // A journal that exists, then becomes read-only (a restored backup, a volume mounted read-only).
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={journal}"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "CREATE TABLE IF NOT EXISTS t(x); PRAGMA journal_mode=DELETE;";
            cmd.ExecuteNonQuery();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var readOnly = ReadOnlyFile.Make(journal);

        var (exitCode, output) = await ServerProcess.RunUntilExitAsync(TimeSpan.FromSeconds(60), Args(dir));

        Assert.NotEqual(0, exitCode);
        Assert.NotEqual(134, exitCode); // SIGABRT: an unhandled exception, not a refusal
        var all = string.Join("\n", output);
        Assert.Contains(journal, all);
        Assert.Contains("writ", all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(output, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    /// <summary>Makes a file read-only for this process, root included (root ignores permissions, not the immutable flag).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private sealed class ReadOnlyFile : IDisposable
    {
        private readonly string _path;
        private readonly bool _immutable;

        private ReadOnlyFile(string path, bool immutable) { _path = path; _immutable = immutable; }

        public static ReadOnlyFile Make(string path)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            if (!Environment.IsPrivilegedProcess) return new ReadOnlyFile(path, false);
            Run("chattr", "+i", path);
            return new ReadOnlyFile(path, true);
        }

        private static void Run(string file, params string[] args)
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false })!;
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited with {process.ExitCode}");
        }

        public void Dispose()
        {
            if (_immutable) Run("chattr", "-i", _path);
            File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
