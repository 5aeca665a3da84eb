using Microsoft.Data.Sqlite;

namespace Orchestrator.Bench;

/// <summary>One table or index: bytes of its pages (or an estimate, see <see cref="DatabaseSize.FromDbstat"/>) and, for a table, its rows.</summary>
public sealed record StoredObject(string Name, bool IsTable, long Bytes, long? Rows);

/// <summary>
/// A SQLite database measured at rest: the main file and its WAL after a checkpoint, the free pages inside, and each
/// table and index. Per object from SQLite's <c>dbstat</c> table (bytes of pages) when the library was built with it,
/// otherwise estimated as the sum of the lengths of each row's values (row counts × average row length), an index as its
/// columns' lengths plus an 8-byte row id per row; page and b-tree overhead is then left unsplit. The bundled SQLite has
/// no <c>dbstat</c>; the <c>sqlite3</c> shell on the path is asked instead when it has one.
/// </summary>
public sealed record DatabaseSize(long FileBytes, long WalBytes, long FreeBytes, IReadOnlyList<StoredObject> Objects, bool FromDbstat)
{
    public long TotalBytes => FileBytes + WalBytes;

    /// <summary>Checkpoints the WAL into the file (nothing else may be writing), then measures.</summary>
    public static async Task<DatabaseSize> MeasureAsync(string databaseFile)
    {
        SqliteConnection.ClearAllPools();
        await using var connection = new SqliteConnection($"Data Source={databaseFile}");
        await connection.OpenAsync();
        await ExecuteAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        var free = await ScalarAsync(connection, "PRAGMA freelist_count") * await ScalarAsync(connection, "PRAGMA page_size");
        var tables = new List<string>();
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        var (objects, fromDbstat) = await PagesAsync(connection, tables, databaseFile) is { } pages ? (pages, true) : (await EstimateAsync(connection, tables), false);
        await connection.CloseAsync();
        SqliteConnection.ClearAllPools();
        var wal = databaseFile + "-wal";
        return new DatabaseSize(new FileInfo(databaseFile).Length, File.Exists(wal) ? new FileInfo(wal).Length : 0, free, objects, fromDbstat);
    }

    public long BytesOf(string name) => Objects.FirstOrDefault(o => o.Name == name)?.Bytes ?? 0;

    public long? RowsOf(string name) => Objects.FirstOrDefault(o => o.Name == name)?.Rows;

    private const string PagesPerObject = "SELECT name, sum(pgsize) FROM dbstat GROUP BY name";

    private static async Task<List<StoredObject>?> PagesAsync(SqliteConnection connection, List<string> tables, string databaseFile)
    {
        var sizes = new List<(string Name, long Bytes)>();
        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = PagesPerObject;
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) sizes.Add((reader.GetString(0), reader.GetInt64(1)));
        }
        catch (SqliteException)
        {
            // "no such table: dbstat": the bundled SQLite was built without it; the system's sqlite3 shell usually has it.
            if (await PagesFromShellAsync(databaseFile) is not { } fromShell) return null;
            sizes = fromShell;
        }
        var objects = new List<StoredObject>();
        foreach (var (name, bytes) in sizes)
            objects.Add(new StoredObject(name, tables.Contains(name), bytes, tables.Contains(name) ? await ScalarAsync(connection, $"SELECT count(*) FROM \"{name}\"") : null));
        return objects;
    }

    /// <summary>dbstat through the <c>sqlite3</c> shell on the path, read-only; null when there is none or it lacks dbstat.</summary>
    private static async Task<List<(string Name, long Bytes)>?> PagesFromShellAsync(string databaseFile)
    {
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("sqlite3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "-readonly", "-separator", "|", databaseFile, PagesPerObject }) start.ArgumentList.Add(arg);
            using var shell = System.Diagnostics.Process.Start(start)!;
            var output = await shell.StandardOutput.ReadToEndAsync();
            await shell.WaitForExitAsync();
            if (shell.ExitCode != 0) return null;
            return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split('|'))
                .Select(f => (f[0], long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)))];
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no sqlite3 on the path
        }
    }

    private static async Task<List<StoredObject>> EstimateAsync(SqliteConnection connection, List<string> tables)
    {
        var objects = new List<StoredObject>();
        foreach (var table in tables)
        {
            var rows = await ScalarAsync(connection, $"SELECT count(*) FROM \"{table}\"");
            objects.Add(new StoredObject(table, true, await ValueBytesAsync(connection, table, $"pragma_table_info('{table}')", 0), rows));
        }
        var indexes = new List<(string Name, string Table)>();
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) indexes.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, table) in indexes)
            objects.Add(new StoredObject(name, false, await ValueBytesAsync(connection, table, $"pragma_index_info('{name}')", 8), null));
        return objects;
    }

    /// <summary>Sum over the rows of <paramref name="table"/> of the lengths of the columns <paramref name="columnSource"/> names, plus a fixed cost per row.</summary>
    private static async Task<long> ValueBytesAsync(SqliteConnection connection, string table, string columnSource, int perRow)
    {
        var columns = new List<string>();
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = $"SELECT name FROM {columnSource} WHERE name IS NOT NULL";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        }
        var length = string.Join(" + ", columns.Select(c => $"coalesce(length(\"{c}\"), 0)").Append(perRow.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return await ScalarAsync(connection, $"SELECT coalesce(sum({length}), 0) FROM \"{table}\"");
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
