using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Coordination;
using Akka.DependencyInjection;
using Akka.Hosting;
using Akka.Hosting.Coordination;
using Orchestrator.ReadModel;

namespace Orchestrator.Cluster;

/// <summary>
/// An Akka.Coordination lease held as a PostgreSQL session advisory lock in the cluster's shared database: the arbiter
/// of the split-brain resolver's lease-majority strategy. Of two nodes that lose each other neither is a majority, and
/// without an arbiter the one with the higher address downs itself even when the other is dead; with it, the side
/// that takes the lock stays. A node that dies (its connection closes) gives the lock up with it, so a survivor always
/// gets it; of two live sides that cannot see each other, the first to ask gets it and the other downs itself.
/// The lock lives as long as the connection that took it: one connection per held lease, closed on release.
/// </summary>
internal sealed class DatabaseLease : Lease
{
    /// <summary>The HOCON block the resolver's <c>lease-implementation</c> names.</summary>
    public const string ConfigPath = "orchestrator.split-brain-lease";

    private readonly ReadModelDatabase _db;
    private readonly long _key;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DbConnection? _held;

    public DatabaseLease(LeaseSettings settings, ExtendedActorSystem system)
        : this(settings, DependencyResolver.For(system).Resolver.GetService<ReadModelDatabase>()) { }

    internal DatabaseLease(LeaseSettings settings, ReadModelDatabase db) : base(settings)
    {
        _db = db;
        _key = KeyOf(settings.LeaseName);
    }

    /// <summary>The advisory lock's key: the lease name's first 8 bytes of SHA-256, the same on every node.</summary>
    internal static long KeyOf(string leaseName) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("orchestrator-lease:" + leaseName)), 0);

    public override Task<bool> Acquire() => Acquire(null!);

    public override async Task<bool> Acquire(Action<Exception> leaseLostCallback)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_held is { State: System.Data.ConnectionState.Open }) return true;
            using var timeout = new CancellationTokenSource(Settings.TimeoutSettings.OperationTimeout);
            var connection = await _db.OpenAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                // A holder whose machine dies without closing its connection (power, network) would keep the lock until the
                // server noticed, by TCP keepalive, two hours by default: ask for about 10 s, shorter than the resolver waits.
                await ScalarAsync(connection, "SELECT set_config('tcp_keepalives_idle', '5', false), set_config('tcp_keepalives_interval', '2', false), "
                    + "set_config('tcp_keepalives_count', '3', false)", timeout.Token).ConfigureAwait(false);
                if (await ScalarAsync(connection, "SELECT pg_try_advisory_lock(@key)", timeout.Token).ConfigureAwait(false) is true)
                {
                    _held = connection;
                    return true;
                }
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            await connection.DisposeAsync().ConfigureAwait(false);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task<bool> Release()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_held is not { } connection) return true;
            _held = null;
            try
            {
                using var timeout = new CancellationTokenSource(Settings.TimeoutSettings.OperationTimeout);
                await ScalarAsync(connection, "SELECT pg_advisory_unlock(@key)", timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                // Closing the session gives the lock up too, should the unlock itself have failed.
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override bool CheckLease() => _held is { State: System.Data.ConnectionState.Open };

    private async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        if (sql.Contains("@key", StringComparison.Ordinal))
        {
            var key = cmd.CreateParameter();
            key.ParameterName = "@key";
            key.Value = _key;
            cmd.Parameters.Add(key);
        }
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
    }
}

/// <summary>The lease for Akka.Hosting's <c>LeaseMajorityOption</c>: its HOCON block names <see cref="DatabaseLease"/>.</summary>
internal sealed class DatabaseLeaseOption : LeaseOptionBase
{
    public static readonly DatabaseLeaseOption Instance = new();

    public override string ConfigPath => DatabaseLease.ConfigPath;

    public override Type Class => typeof(DatabaseLease);

    public override void Apply(AkkaConfigurationBuilder builder, Setup? setup = null) =>
        builder.AddHocon($$"""
            {{ConfigPath}} {
              lease-class = "{{Class.AssemblyQualifiedName}}"
              heartbeat-timeout = 120s
              heartbeat-interval = 12s
              lease-operation-timeout = 5s
            }
            """, HoconAddMode.Prepend);
}
