using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;

namespace Orchestrator.Sagas.Persistence;

#pragma warning disable EF1001 // The provider's connection is internal API: the one thing changed is named below, and a test guards it.

/// <summary>
/// EF Core's SQLite connection without the SQL functions the provider adds to every connection it creates
/// (<c>ef_add</c>, <c>ef_compare</c> and the other decimal operators, and <c>regexp</c>). Microsoft.Data.Sqlite
/// registers a connection's functions again on every open, pooled handle or not: 12-15 µs of CPU per open, measured,
/// against under 1 µs without them, and a workflow opens about 33 connections. The model maps no <see cref="decimal"/>
/// and no query calls <c>Regex.IsMatch</c>, so no statement calls them; <c>SqliteConnectionWithoutFunctionsTests</c> fails if that changes.
/// </summary>
sealed class SqliteConnectionWithoutFunctions(
    RelationalConnectionDependencies dependencies,
    IRawSqlCommandBuilder rawSqlCommandBuilder,
    IDiagnosticsLogger<DbLoggerCategory.Infrastructure> logger)
    : SqliteRelationalConnection(dependencies, rawSqlCommandBuilder, logger)
{
    public static DbContextOptionsBuilder Use(DbContextOptionsBuilder db) =>
        db.ReplaceService<ISqliteRelationalConnection, SqliteConnectionWithoutFunctions>();

    protected override DbConnection CreateDbConnection()
    {
        var connection = new SqliteConnection(GetValidatedConnectionString());
        if (CommandTimeout is { } timeout)
            connection.DefaultTimeout = timeout;
        return connection;
    }
}
