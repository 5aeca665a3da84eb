using System.Security.Cryptography;
using System.Text;
using Orchestrator.Hosting;

namespace Orchestrator.Callbacks;

/// <summary>
/// Per-task callback URLs and their tokens: HMAC-SHA256 of the task id under a server secret, so a token cannot be
/// guessed from the id and no token needs storing. The secret comes from <c>Callbacks:Secret</c>, or a random one kept in
/// <c>Callbacks:SecretFile</c> so that tokens handed to providers stay valid across restarts.
/// </summary>
internal sealed class CallbackTokens
{
    private readonly string? _baseUrl;
    private readonly Lazy<byte[]> _key;

    public CallbackTokens(OrchestratorOptions options)
    {
        _baseUrl = string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? null : options.PublicBaseUrl.TrimEnd('/');
        _key = new Lazy<byte[]>(() => LoadKey(options.Callbacks));
    }

    /// <summary>Whether submits carry callback URLs (<c>PublicBaseUrl</c> is set).</summary>
    public bool Enabled => _baseUrl is not null;

    /// <summary>The callback URL for a task, or null when callbacks are off.</summary>
    public string? UrlFor(string provider, string taskId) =>
        _baseUrl is null ? null : $"{_baseUrl}/v1/callbacks/{Uri.EscapeDataString(provider)}/{Uri.EscapeDataString(taskId)}?token={Token(taskId)}";

    public string Token(string taskId) => Base64Url(HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes(taskId)));

    /// <summary>Constant-time check of a token presented with a callback.</summary>
    public bool Verify(string taskId, string? token) =>
        token is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Token(taskId)), Encoding.ASCII.GetBytes(token));

    private static byte[] LoadKey(CallbackOptions o)
    {
        if (!string.IsNullOrEmpty(o.Secret))
        {
            if (o.Secret.Length < 32) throw new InvalidOperationException("Orchestrator:Callbacks:Secret must be at least 32 characters.");
            return Encoding.UTF8.GetBytes(o.Secret);
        }
        var path = Path.GetFullPath(o.SecretFile);
        if (File.Exists(path)) return Convert.FromBase64String(File.ReadAllText(path).Trim());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(32);
        var temp = path + ".tmp";
        File.WriteAllText(temp, Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException)
        {
            // Another process created it first: use theirs.
            File.Delete(temp);
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        return key;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
