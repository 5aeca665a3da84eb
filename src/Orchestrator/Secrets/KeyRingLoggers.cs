using Microsoft.Extensions.Logging;

namespace Orchestrator.Secrets;

/// <summary>
/// The host's loggers as Data Protection sees them, less one warning: "No XML encryptor configured. Key … may be persisted
/// to storage in unencrypted form." It comes on every new key (the first start, then every 90 days) on any machine that is
/// not Windows, and says what docs/security.md already states: the key files are protected by their folder's permissions
/// (this user's alone), not encrypted. Every other line (a key ring it cannot read, say) passes through.
/// </summary>
internal sealed class KeyRingLoggers(ILoggerFactory inner) : ILoggerFactory
{
    private const string KeyManager = "Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager";
    private const int NoXmlEncryptorConfigured = 35;

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == KeyManager ? new WithoutUnencryptedKeyWarning(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() { } // the host owns the factory

    private sealed class WithoutUnencryptedKeyWarning(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == NoXmlEncryptorConfigured && logLevel == LogLevel.Warning) return;
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
