import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The console is served by `trailhound serve` from the embedded dist/
// folder; during development `npm run dev` proxies the API to a running
// serve (TRAILHOUND_SERVER, default http://127.0.0.1:8080).
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // Hashed file names let the server cache assets forever.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': process.env.TRAILHOUND_SERVER ?? 'http://127.0.0.1:8080',
    },
  },
});
