using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SQLitePCL;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// SQLite takes one writer at a time per file, and Microsoft.Data.Sqlite answers a busy file by sleeping 150 ms
/// before it tries again: under load most of the time went to those sleeps. So the writers of this process queue
/// here instead, one transaction at a time per file, and connections commit with <c>synchronous=NORMAL</c> (in
/// WAL mode a commit then survives a crash of the process without waiting for an fsync).
/// A writer that has to wait gives its connection back to the pool first and opens one again once it is its
/// turn: hundreds of queued writers are not hundreds of open SQLite handles. The pragma is set once per physical
/// connection (the pool hands the same handle out again), not on every logical open.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "One per database file, for the life of the process.")]
sealed class SqliteTuning : DbTransactionInterceptor, IDbConnectionInterceptor
{
    const string Synchronous = "PRAGMA synchronous=NORMAL;";

    static readonly ConcurrentDictionary<string, SqliteTuning> ByFile = new(StringComparer.Ordinal);

    /// <summary>The physical connections that have the pragma; an entry goes with its handle.</summary>
    static readonly ConditionalWeakTable<sqlite3, object> Tuned = new();

    readonly SemaphoreSlim _writer = new(1, 1);
    readonly ConcurrentDictionary<Guid, bool> _writing = new();

    SqliteTuning()
    {
    }

    public static SqliteTuning For(string connectionString) => ByFile.GetOrAdd(connectionString, _ => new SqliteTuning());

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default) =>
        TuneAsync(connection, cancellationToken);

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Tune(connection);

    // Whatever way a transaction ends (even disposed unfinished), its connection is closed or disposed after it.
    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (!_writer.Wait(0, CancellationToken.None))
        {
            // The connection was opened for this transaction by EF Core; it finds it open again when we return.
            await connection.CloseAsync();
            await _writer.WaitAsync(cancellationToken);
        }

        try
        {
            if (connection.State != ConnectionState.Open)
            {
                await connection.OpenAsync(cancellationToken);
                await TuneAsync(connection, cancellationToken);
            }

            var transaction = await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken);
            _writing[eventData.ConnectionId] = true;
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    public override InterceptionResult<DbTransaction> TransactionStarting(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (!_writer.Wait(0))
        {
            connection.Close();
            _writer.Wait();
        }

        try
        {
            if (connection.State != ConnectionState.Open)
            {
                connection.Open();
                Tune(connection);
            }

            var transaction = connection.BeginTransaction(eventData.IsolationLevel);
            _writing[eventData.ConnectionId] = true;
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Release(eventData.ConnectionId);

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.ConnectionId);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Release(eventData.ConnectionId);

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.ConnectionId);

    static async Task TuneAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (Untuned(connection) is not { } handle)
            return;
        await using var command = connection.CreateCommand();
        command.CommandText = Synchronous;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Tuned.AddOrUpdate(handle, handle);
    }

    static void Tune(DbConnection connection)
    {
        if (Untuned(connection) is not { } handle)
            return;
        using var command = connection.CreateCommand();
        command.CommandText = Synchronous;
        command.ExecuteNonQuery();
        Tuned.AddOrUpdate(handle, handle);
    }

    static sqlite3? Untuned(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && !Tuned.TryGetValue(handle, out _) ? handle : null;

    Task Release(Guid connectionId)
    {
        if (_writing.TryRemove(connectionId, out _))
            _writer.Release();
        return Task.CompletedTask;
    }
}
