using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Bench;

/// <summary>
/// A program of this build (<c>Orchestrator.Server</c>, <c>Orchestrator.Simulator</c>: the project references copy them
/// beside the bench) run as <c>dotnet X.dll</c> in a child process: it can be killed like a crashed node, and its memory
/// is read from outside (<c>/proc/{pid}/status</c>) without the bench's own heap in the figure.
/// </summary>
public sealed class DotnetChild : IDisposable
{
    private const int TailLines = 40;
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly StreamWriter _log;
    private bool _logClosed;

    private DotnetChild(Process process, long startedTicks, string logFile)
    {
        _process = process;
        StartedTicks = startedTicks;
        // Every line it writes, beside its data: what a stalled run was doing is read afterwards, not guessed.
        LogFile = logFile;
        _log = new StreamWriter(logFile, append: true) { AutoFlush = true };
    }

    /// <summary>Where every line the program writes is kept (in its working directory).</summary>
    public string LogFile { get; }

    /// <summary>When <see cref="Process.Start()"/> was called (a <see cref="Stopwatch"/> timestamp): the start of a start-up time.</summary>
    public long StartedTicks { get; }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the program wrote (standard output and error), for a failure message.</summary>
    public string Tail
    {
        get { lock (_tail) return string.Join(Environment.NewLine, _tail); }
    }

    public static DotnetChild Start(string program, string workingDirectory, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program + ".dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Configuration from the shell (Orchestrator__…, Simulator__…) must not change what is measured.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("Orchestrator__", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("Simulator__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        var started = Stopwatch.GetTimestamp();
        var child = new DotnetChild(Process.Start(psi)!, started, Path.Combine(workingDirectory, program + ".log"));
        // Read both pipes all the time: a child whose pipe is full blocks on its next log line.
        child._process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Resident set now (<c>VmRSS</c>), bytes; 0 once it has exited or off Linux.</summary>
    public long RssBytes() => StatusBytes("VmRSS:");

    /// <summary>The kernel's own peak resident set of the process (<c>VmHWM</c>), bytes: no sample can miss it.</summary>
    public long PeakRssBytes() => StatusBytes("VmHWM:");

    /// <summary>SIGKILL, as a crash or an OOM kill ends a node: no shutdown hooks, no flushing.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        lock (_tail)
        {
            _logClosed = true;
            _log.Dispose();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private long StatusBytes(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { /* exited between the check and the read */ }
        return 0;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines) _tail.Dequeue();
            if (!_logClosed) _log.WriteLine(line);
        }
    }
}
