using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Hosting;
using Orchestrator.Persistence;

namespace Orchestrator.Secrets;

/// <summary>
/// <see cref="ISecretProtector"/> by ASP.NET Core Data Protection (AES-256-CBC with HMAC-SHA256, keys rolled every 90
/// days and kept), its key ring a folder of XML files (docs/security.md, "Secrets at rest").
/// </summary>
internal sealed class KeyRingSecretProtector : ISecretProtector, IDisposable
{
    // Separates these payloads from anything else protected with the same keys. Changing it makes every journaled secret unreadable.
    private const string Purpose = "Orchestrator.JournaledSecrets.v1";
    // Fixed rather than the default (the content root path), so that nodes, and installs in other folders, share keys.
    private const string ApplicationName = "Orchestrator";

    private readonly ServiceProvider _services;
    private readonly IDataProtector _protector;

    /// <param name="keyRingDirectory">The key ring's folder, created (readable by this user only) when missing.</param>
    /// <param name="loggers">Where Data Protection logs (a new key, a key ring it cannot read); none when null.</param>
    public KeyRingSecretProtector(string keyRingDirectory, ILoggerFactory? loggers = null)
    {
        KeyRing = Path.GetFullPath(keyRingDirectory);
        // A container of its own: an ASP.NET Core host's Data Protection set-up (its cookie keys, say) stays the host's.
        var services = new ServiceCollection();
        if (loggers is not null) services.AddSingleton<ILoggerFactory>(new KeyRingLoggers(loggers));
        services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToFileSystem(CreateFolder(KeyRing));
        _services = services.BuildServiceProvider();
        _protector = _services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
    }

    public string KeyRing { get; }

    /// <summary>
    /// <c>Orchestrator:KeyRingDirectory</c> when set; else <c>keys</c> beside the SQLite database file, or, on PostgreSQL
    /// (or an in-memory SQLite), beside the result store's folder: <c>data/keys</c> with the defaults either way.
    /// </summary>
    public static string DirectoryFor(OrchestratorOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.KeyRingDirectory)) return Path.GetFullPath(options.KeyRingDirectory);
        var beside = StorageConfig.SqliteFile(options.Storage) ?? Path.GetFullPath(options.Results.Directory);
        return Path.Combine(Path.GetDirectoryName(beside) ?? beside, "keys");
    }

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);

    // The key files are plain XML (Data Protection encrypts them at rest on Windows only): the folder is this user's alone.
    private static DirectoryInfo CreateFolder(string path)
    {
        try
        {
            if (!Directory.Exists(path))
            {
                if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
                else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            return new DirectoryInfo(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"The key ring folder {path} (Orchestrator:KeyRingDirectory) cannot be created: {e.Message} Journaled webhook secrets are encrypted with its keys.", e);
        }
    }

    public void Dispose() => _services.Dispose();
}
