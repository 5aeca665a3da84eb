using Microsoft.Extensions.Logging;
using Orchestrator.Secrets;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Security;

/// <summary>
/// The key ring's first key is made on a newcomer's first session: Data Protection's "may be persisted to storage in
/// unencrypted form" warning then reads like a fault, while docs/security.md says why the folder's permissions protect it.
/// </summary>
public sealed class KeyRingLogTests
{
    [Fact]
    public void Making_a_key_logs_no_unencrypted_key_warning_but_its_other_lines_still_pass()
    {
        using var dir = new TempDirectory();
        var lines = new List<(LogLevel Level, int EventId, string Category)>();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new Capture(lines)));
        using var protector = new KeyRingSecretProtector(Path.Combine(dir.Path, "keys"), loggers);

        Assert.Equal("whsec_canary", protector.Unprotect(protector.Protect("whsec_canary")));

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir.Path, "keys"), "key-*.xml"));
        Assert.Contains(lines, l => l.Category.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Level >= LogLevel.Warning);
    }

    private sealed class Capture(List<(LogLevel, int, string)> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Line(lines, categoryName);
        public void Dispose() { }

        private sealed class Line(List<(LogLevel, int, string)> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (lines) lines.Add((logLevel, eventId.Id, category));
            }
        }
    }
}
