using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Server.Security;

/// <summary>
/// The configured keys, each held only as its SHA-256 (hashed once at start). A presented key is hashed and compared
/// with every entry by <see cref="CryptographicOperations.FixedTimeEquals"/>, without stopping at a match: how long a
/// look-up takes says nothing about how much of a key was right, or which entry matched.
/// </summary>
public sealed class ApiKeyRing
{
    /// <summary>The configuration section the keys are read from.</summary>
    public const string SectionName = "Orchestrator:ApiKeys";

    private readonly (byte[] Hash, ApiCaller Caller)[] _entries;

    private ApiKeyRing((byte[], ApiCaller)[] entries) => _entries = entries;

    /// <summary>True when no key is configured: the server runs open (allowed on loopback only).</summary>
    public bool IsEmpty => _entries.Length == 0;

    /// <summary>How many keys are configured.</summary>
    public int Count => _entries.Length;

    /// <summary>
    /// The ring of <paramref name="keys"/>, or the configuration mistakes that keep the server from starting, each
    /// naming its setting (<c>Orchestrator:ApiKeys:1:Role</c>) and never a key.
    /// </summary>
    public static (ApiKeyRing? Ring, IReadOnlyList<string> Errors) Build(IReadOnlyList<ApiKeyOptions> keys)
    {
        var errors = new List<string>();
        var entries = new List<(byte[], ApiCaller)>();
        for (var i = 0; i < keys.Count; i++)
        {
            var k = keys[i];
            var at = $"{SectionName}:{i}";
            if (string.IsNullOrWhiteSpace(k.Key)) { errors.Add($"{at}:Key is empty."); continue; }
            if (k.Key.Length < MinKeyLength) errors.Add($"{at}:Key is shorter than {MinKeyLength} characters.");
            if (!Enum.TryParse<ApiRole>(k.Role, ignoreCase: true, out var role) || !Enum.IsDefined(role) || int.TryParse(k.Role, out _))
            {
                errors.Add($"{at}:Role must be admin, submit or read (got '{k.Role}').");
                continue;
            }
            var tenant = string.IsNullOrWhiteSpace(k.Tenant) ? null : k.Tenant.Trim();
            if (tenant is null && role != ApiRole.Admin) errors.Add($"{at}:Tenant is required for a {role.ToString().ToLowerInvariant()} key.");
            var hash = Hash(k.Key);
            if (entries.Any(e => CryptographicOperations.FixedTimeEquals(e.Item1, hash))) errors.Add($"{at}:Key is the same as an earlier key's.");
            entries.Add((hash, new ApiCaller(string.IsNullOrWhiteSpace(k.Name) ? $"key {i}" : k.Name, role, tenant)));
        }
        return errors.Count > 0 ? (null, errors) : (new ApiKeyRing([.. entries]), errors);
    }

    /// <summary>Keys shorter than this are refused at start: they could be guessed.</summary>
    public const int MinKeyLength = 16;

    /// <summary>The caller whose key this is, or null for a key that is not configured.</summary>
    public ApiCaller? Find(string presented)
    {
        var hash = Hash(presented);
        ApiCaller? found = null;
        // Every entry is compared, match or not.
        foreach (var (entry, caller) in _entries)
            if (CryptographicOperations.FixedTimeEquals(entry, hash)) found = caller;
        return found;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
