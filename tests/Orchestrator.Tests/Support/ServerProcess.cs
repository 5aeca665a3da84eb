using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Orchestrator.Tests.Support;

/// <summary>The server as a separate OS process (the same build as <c>dotnet run</c>), so a test can kill -9 it.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServerProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string BaseUrl { get; }
    public HttpClient Http { get; }
    public int Pid => _process.Id;

    /// <summary>What the server has written so far, standard output and error, line by line.</summary>
    public IReadOnlyList<string> Output { get { lock (_output) return _output.ToList(); } }

    /// <summary>A server process on the test's store against a standalone simulator, polling images every half second to a second.</summary>
    public static string[] ArgsAgainst(TestStore store, string simulatorBaseUrl) =>
    [
        .. store.ServerArgs,
        $"--Orchestrator:Providers:simulator:BaseUrl={simulatorBaseUrl}",
        "--Orchestrator:Providers:simulator:Qps=20",
        "--Orchestrator:Polling:ImageFloorSeconds=0.5",
        "--Orchestrator:Polling:CapSeconds=1",
        "--Orchestrator:Polling:ImagePriorSeconds=0.5",
        "--Simulator:InProcess=false",
    ];

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Task<ServerProcess> StartAsync(int port, params string[] args) => StartAsync(port, TimeSpan.FromSeconds(60), args);

    /// <summary>Starts the server and waits up to <paramref name="readyWithin"/> for its <c>/healthz</c> to answer 200.</summary>
    public static async Task<ServerProcess> StartAsync(int port, TimeSpan readyWithin, string[] args)
    {
        var server = Launch(port, args);
        var process = server._process;
        try
        {
            await Eventually.Until(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"The server exited with code {process.ExitCode}.");
                try { return (await server.Http.GetAsync("/healthz")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, ok => ok, readyWithin, "the server process to be ready");
        }
        catch
        {
            server.Dispose(); // a server that never became ready must not outlive the test
            throw;
        }
        return server;
    }

    /// <summary>Starts the server for a start that must fail: waits for the process to exit, and returns its exit code.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> Output)> RunUntilExitAsync(TimeSpan timeout, params string[] args)
    {
        using var server = Launch(FreePort(), args);
        using var cancel = new CancellationTokenSource(timeout);
        try { await server._process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"The server was still running after {timeout}; it wrote: {string.Join("\n", server.Output)}"); }
        server._process.WaitForExit(); // the last lines of output
        return (server._process.ExitCode, server.Output);
    }

    private static ServerProcess Launch(int port, string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Orchestrator.Server.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add($"--Urls=http://127.0.0.1:{port}");
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var server = new ServerProcess(process, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as systemd, Docker and Kubernetes stop a service: the process shuts down gracefully.</summary>
    public void Terminate()
    {
        if (kill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <summary>Waits for the process to exit and returns its exit code; throws when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"The server was still running after {timeout}; it wrote: {string.Join("\n", Output.TakeLast(30))}"); }
        _process.WaitForExit(); // the last lines of output
        return _process.ExitCode;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public void Dispose()
    {
        Http.Dispose();
        if (!_process.HasExited) KillHard();
        _process.Dispose();
    }
}
