using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Trust : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<long>(
                name: "spent",
                table: "research_tasks",
                type: "bigint",
                nullable: false,
                oldClrType: typeof(int),
                oldType: "integer");

            migrationBuilder.AlterColumn<long>(
                name: "budget",
                table: "research_tasks",
                type: "bigint",
                nullable: false,
                oldClrType: typeof(int),
                oldType: "integer");

            migrationBuilder.AddColumn<string>(
                name: "owner_id",
                table: "research_tasks",
                type: "character varying(256)",
                maxLength: 256,
                nullable: false,
                defaultValue: "anonymous");

            migrationBuilder.AddColumn<string>(
                name: "submission_hash",
                table: "research_tasks",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "submission_key",
                table: "research_tasks",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "price",
                table: "research_task_purchases",
                type: "bigint",
                nullable: false,
                oldClrType: typeof(int),
                oldType: "integer");

            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    task_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    action = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    item_id = table.Column<int>(type: "integer", nullable: true),
                    amount = table.Column<long>(type: "bigint", nullable: true),
                    idempotency_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    outcome = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_audit_events_research_tasks_task_id",
                        column: x => x.task_id,
                        principalTable: "research_tasks",
                        principalColumn: "task_id");
                });

            migrationBuilder.CreateIndex(
                name: "ix_research_tasks_owner_id_created_at",
                table: "research_tasks",
                columns: new[] { "owner_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_research_tasks_owner_id_submission_key",
                table: "research_tasks",
                columns: new[] { "owner_id", "submission_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_task_id_id",
                table: "audit_events",
                columns: new[] { "task_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropIndex(
                name: "ix_research_tasks_owner_id_created_at",
                table: "research_tasks");

            migrationBuilder.DropIndex(
                name: "ix_research_tasks_owner_id_submission_key",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "owner_id",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "submission_hash",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "submission_key",
                table: "research_tasks");

            migrationBuilder.AlterColumn<int>(
                name: "spent",
                table: "research_tasks",
                type: "integer",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "bigint");

            migrationBuilder.AlterColumn<int>(
                name: "budget",
                table: "research_tasks",
                type: "integer",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "bigint");

            migrationBuilder.AlterColumn<int>(
                name: "price",
                table: "research_task_purchases",
                type: "integer",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "bigint");
        }
    }
}
