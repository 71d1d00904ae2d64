using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Tests.Sagas.Persistence;

/// <summary>The SQLite contexts open their connections without EF Core's decimal and regexp functions, which nothing needs.</summary>
public sealed class SqliteConnectionWithoutFunctionsTests : IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"orchestrator-functions-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task A_context_of_the_hosts_opens_its_connection_without_the_providers_functions()
    {
        await using var db = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, $"Data Source={_file}");

        var missing = await Assert.ThrowsAsync<SqliteException>(() => db.Database.ExecuteSqlRawAsync("SELECT ef_add(1, 2)"));

        Assert.Contains("no such function: ef_add", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_model_maps_no_decimal_the_functions_would_be_needed_for()
    {
        using var db = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, $"Data Source={_file}");

        var decimals = db.Model.GetEntityTypes().SelectMany(e => e.GetProperties())
            .Where(p => Nullable.GetUnderlyingType(p.ClrType) is { } type ? type == typeof(decimal) : p.ClrType == typeof(decimal))
            .Select(p => $"{p.DeclaringType.DisplayName()}.{p.Name}");

        Assert.Empty(decimals);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }
}
