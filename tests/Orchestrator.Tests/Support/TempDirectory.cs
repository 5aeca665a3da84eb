namespace Orchestrator.Tests.Support;

/// <summary>A scratch folder for a test's SQLite files, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("orchestrator-tests-").FullName;

    public string SqliteConnectionString(string name = "journal.db") => $"Data Source={System.IO.Path.Combine(Path, name)}";

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
